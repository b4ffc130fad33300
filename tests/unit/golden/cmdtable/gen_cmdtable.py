#!/usr/bin/python3
"""Capture Redis 7.0's COMMAND replies and generate the command table,
lib/cmdtable_data.c.

    gen_cmdtable.py capture [redis-sentinel]
        Start a reference redis-sentinel (Debian's 7.0.15) on 127.0.0.1 at a
        free port, send it every case of cases.txt in RESP2 and in RESP3
        (HELLO 3 first), write <case>.resp2 and <case>.resp3 here, stop it.

    gen_cmdtable.py generate
        Rewrite the generated section of lib/cmdtable_data.c from
        info_all.resp3 and docs_all.resp3, adding the HIDDEN commands below.

Redis walks its command dictionaries in hash order, which changes with every
start (the hash seed is random). The golden files hold Redis's bytes with
the commands, and each container's subcommands, put in name order, which is
the order our table keeps; nothing else is touched.
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..', '..'))
CMDTABLE_DATA_C = os.path.join(ROOT, 'lib', 'cmdtable_data.c')
BEGIN = '/* BEGIN GENERATED'
END = '/* END GENERATED */'

# Commands our daemon runs that a Redis 7.0 sentinel does not have: they
# are in the table for dispatch, arity and ACL, never shown by COMMAND.
# (parent, name, arity, flags, categories, summary, since, group)
HIDDEN = [
    (None, 'echo', 2, 'fast', '@fast @connection',
     'Echo the given string', '1.0.0', 'connection'),
    (None, 'quit', -1, 'allow_busy noscript loading stale fast no_auth',
     '@fast @connection', 'Close the connection', '1.0.0', 'connection'),
    ('client', 'client|setinfo', 4, 'noscript loading stale',
     '@slow @connection', 'Set client or connection specific info',
     '7.2.0', 'connection'),
]

# ---------------------------------------------------------------------------
# RESP, kept exact: a node is (type, head, children or payload), and
# dump(parse(b)) == b.
# ---------------------------------------------------------------------------


def parse(buf, i=0):
    """Return (node, next index), or (None, None) if buf is incomplete."""
    if i >= len(buf):
        return None, None
    t = chr(buf[i])
    j = buf.find(b'\r\n', i)
    if j < 0:
        return None, None
    head = buf[i + 1:j].decode()
    k = j + 2
    if t in '+-:_,#(':
        return (t, head, None), k
    if t in '$=!':
        n = int(head)
        if n < 0:
            return (t, head, None), k
        if len(buf) < k + n + 2:
            return None, None
        return (t, head, buf[k:k + n]), k + n + 2
    if t in '*~>%':
        n = int(head)
        if n < 0:
            return (t, head, None), k
        kids = []
        for _ in range(n * 2 if t == '%' else n):
            node, k = parse(buf, k)
            if node is None:
                return None, None
            kids.append(node)
        return (t, head, kids), k
    raise ValueError('unknown RESP type %r' % t)


def dump(node):
    t, head, body = node
    out = ('%s%s\r\n' % (t, head)).encode()
    if body is None:
        return out
    if isinstance(body, bytes):
        return out + body + b'\r\n'
    return out + b''.join(dump(k) for k in body)


def pairs(node):
    """A map's (key, value) pairs, whether RESP3 % or RESP2 flat *."""
    kids = node[2]
    return [(kids[i], kids[i + 1]) for i in range(0, len(kids), 2)]


def text(node):
    t, head, body = node
    if t in '+-':
        return head
    if t in '$=':
        return body.decode()
    if t in ':':
        return int(head)
    raise ValueError('not a scalar: %r' % (node,))


def is_map(node, proto):
    return node[0] == '%' or (proto == 2 and node[0] == '*')


# ---------------------------------------------------------------------------
# Putting Redis's hash order into name order
# ---------------------------------------------------------------------------


def info_sorted(node, top):
    """COMMAND INFO: sort the entries (if top) and every subcommand list."""
    t, head, kids = node
    if t != '*' or kids is None:
        return node
    if len(kids) == 10 and kids[0][0] == '$' and kids[1][0] == ':':
        subs = kids[9]
        if subs[0] == '*' and subs[2]:
            subs = ('*', subs[1], sorted((info_sorted(s, False)
                                          for s in subs[2]),
                                         key=lambda s: text(s[2][0])))
        return (t, head, kids[:9] + [subs])
    kids = [info_sorted(k, False) for k in kids]
    if top:
        kids.sort(key=lambda k: text(k[2][0]))
    return (t, head, kids)


def docs_sorted_one(doc):
    t, head, kids = doc
    out = []
    for key, val in pairs(doc):
        if text(key) == 'subcommands':
            val = docs_sorted(val, True)
        out += [key, val]
    return (t, head, out)


def docs_sorted(node, top):
    """COMMAND DOCS: a map of name to docs; sort it (if top) and within."""
    t, head, kids = node
    if t not in '%*' or not kids:
        return node
    ps = [(k, docs_sorted_one(v)) for k, v in pairs(node)]
    if top:
        ps.sort(key=lambda p: text(p[0]))
    return (t, head, [x for p in ps for x in p])


def list_key(name):
    top, _, sub = name.partition('|')
    return (top, sub != '', sub)


def list_sorted(node):
    t, head, kids = node
    if t != '*' or not kids:
        return node
    return (t, head, sorted(kids, key=lambda k: list_key(text(k))))


def normalize(case, cmd, raw):
    node, end = parse(raw)
    assert end == len(raw)
    words = [w.lower() for w in cmd.split()]
    if node[0] in '-+:':
        return raw
    if words == ['command'] or words[:2] == ['command', 'info']:
        node = info_sorted(node, len(words) <= 2)
    elif words[:2] == ['command', 'docs']:
        node = docs_sorted(node, len(words) == 2)
    elif words[:2] == ['command', 'list']:
        node = list_sorted(node)
    out = dump(node)
    assert len(out) == len(raw), case
    return out


# ---------------------------------------------------------------------------
# capture
# ---------------------------------------------------------------------------


def cases():
    out = []
    with open(os.path.join(HERE, 'cases.txt')) as f:
        for line in f:
            line = line.rstrip('\n')
            if line and not line.startswith('#'):
                name, cmd = line.split('\t')
                out.append((name, cmd))
    return out


def encode(args):
    out = b'*%d\r\n' % len(args)
    for a in args:
        a = a.encode()
        out += b'$%d\r\n%s\r\n' % (len(a), a)
    return out


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(('127.0.0.1', port), timeout=5)
        self.buf = b''

    def call(self, args):
        self.sock.sendall(encode(args))
        while True:
            node, end = parse(self.buf)
            if node is not None:
                raw, self.buf = self.buf[:end], self.buf[end:]
                return raw
            data = self.sock.recv(65536)
            if not data:
                raise EOFError('connection closed')
            self.buf += data


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def capture(binary):
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        conf = os.path.join(tmp, 'sentinel.conf')
        with open(conf, 'w') as f:
            f.write('port %d\nbind 127.0.0.1\ndir %s\n'
                    'sentinel monitor m 127.0.0.1 6399 2\n' % (port, tmp))
        proc = subprocess.Popen([binary, conf], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    Conn(port).call(['PING'])
                    break
                except OSError:
                    time.sleep(0.05)
            for proto in (2, 3):
                c = Conn(port)
                if proto == 3:
                    c.call(['HELLO', '3'])
                for name, cmd in cases():
                    raw = normalize(name, cmd, c.call(cmd.split(' ')))
                    path = os.path.join(HERE, '%s.resp%d' % (name, proto))
                    with open(path, 'wb') as f:
                        f.write(raw)
        finally:
            proc.terminate()
            proc.wait()


# ---------------------------------------------------------------------------
# generate
# ---------------------------------------------------------------------------

ARG_TYPES = ['string', 'integer', 'double', 'key', 'pattern', 'unix-time',
             'pure-token', 'oneof', 'block']
ARG_FLAGS = {'optional': 'SN_CMD_ARG_OPTIONAL',
             'multiple': 'SN_CMD_ARG_MULTIPLE',
             'multiple_token': 'SN_CMD_ARG_MULTIPLE_TOKEN'}


def words(node):
    return ' '.join(str(text(k)) for k in node[2])


def load(name):
    with open(os.path.join(HERE, name), 'rb') as f:
        raw = f.read()
    node, end = parse(raw)
    assert end == len(raw)
    return node


def cident(s):
    return re.sub(r'[^a-z0-9]+', '_', s.lower()).strip('_')


def cstr(s):
    return '"%s"' % s.replace('\\', '\\\\').replace('"', '\\"')


# tests/unit/check_purity.sh greps lib/ for calls such as `system (`; a
# documentation string must not look like one on its line.
IMPURE = re.compile(r'\b(time|clock|rand|random|socket|connect|bind|listen|'
                    r'accept|open|read|write|close|unlink|rename|exit|abort|'
                    r'system|fork|sleep)\s*\($')


def impure(s):
    return re.search(IMPURE.pattern.rstrip('$'), s) is not None


def wrap_str(prefix, s, indent, width=80):
    """prefix + a C string literal, split at spaces to fit width."""
    lines, cur = [], prefix + '"'
    cont = ' ' * (indent + 4) + '"'
    for word in re.findall(r'\S+\s*', s):
        esc = word.replace('\\', '\\\\').replace('"', '\\"')
        if ((len(cur) + len(esc) + 3 > width or
             IMPURE.search(cur + esc[:1])) and cur[-1] != '"'):
            lines.append(cur + '"')
            cur = cont
        cur += esc
    lines.append(cur + '"')
    return lines


def emit_fields(fields, indent, width=80):
    """Pack `.key = value,` items greedily into lines of width; a string
    too long for a line is split into literals, an expression at ` | `."""
    pad = ' ' * indent
    lines, cur = [], ''
    for key, val, is_str in fields:
        item = '.%s = %s,' % (key, cstr(val) if is_str else val)
        if cur and len(pad + cur + ' ' + item) <= width:
            cur += ' ' + item
            continue
        if cur:
            lines.append(pad + cur)
            cur = ''
        if len(pad + item) <= width and not (is_str and
                                             impure(val)):
            cur = item
        elif is_str:
            ls = wrap_str(pad + '.%s = ' % key, val, indent, width)
            lines += ls[:-1] + [ls[-1] + ',']
        else:
            parts = val.split(' | ')
            cur = '.%s = %s' % (key, parts[0])
            for p in parts[1:]:
                if len(pad + cur + ' | ' + p) + 1 > width:
                    lines.append(pad + cur)
                    cur = '    | ' + p
                else:
                    cur += ' | ' + p
            lines.append(pad + cur + ',')
            cur = ''
    if cur:
        lines.append(pad + cur)
    return lines


class Gen:
    def __init__(self):
        self.out = []           # arrays defined before the entries
        self.names = set()

    def array_name(self, base):
        name, i = base, 2
        while name in self.names:
            name, i = '%s%d' % (base, i), i + 1
        self.names.add(name)
        return name

    def decl(self, ctype, name):
        line = 'static const %s %s[] = {' % (ctype, name)
        if len(line) <= 80:
            return [line]
        return ['static const %s' % ctype, '%s[] = {' % name]

    def args(self, prefix, node):
        """Define the arguments of node (an array of maps); its name."""
        rows = []
        for arg in node[2]:
            d = {text(k): v for k, v in pairs(arg)}
            known = {'name', 'type', 'token', 'since', 'deprecated_since',
                     'flags', 'arguments'}
            assert set(d) <= known, set(d) - known
            f = [('name', text(d['name']), True),
                 ('type', 'SN_CMD_ARG_' + cident(text(d['type'])).upper(),
                  False)]
            assert text(d['type']) in ARG_TYPES
            for key in ('token', 'since', 'deprecated_since'):
                if key in d:
                    f.append((key, text(d[key]), True))
            if 'flags' in d:
                f.append(('flags', ' | '.join(ARG_FLAGS[text(x)]
                                               for x in d['flags'][2]),
                          False))
            if 'arguments' in d:
                sub = self.args('%s_%s' % (prefix, cident(text(d['name']))),
                                d['arguments'])
                f.append(('args', sub, False))
            rows.append(f)
        name = self.array_name(prefix + '_args')
        lines = self.decl('struct sn_cmd_arg', name)
        for f in rows:
            body = emit_fields(f, 6, 80 - 2)
            body[0] = '    { ' + body[0].lstrip()
            body[-1] = body[-1].rstrip(',') + ' },'
            lines += body
        lines += ['    { .name = NULL },', '};', '']
        self.out += lines
        return name

    def history(self, prefix, node):
        name = self.array_name(prefix + '_history')
        lines = self.decl('struct sn_cmd_history', name)
        for h in node[2]:
            since, change = (text(x) for x in h[2])
            body = wrap_str('    { %s, ' % cstr(since), change, 6, 80 - 3)
            body[-1] += ' },'
            lines += body
        lines += ['    { .since = NULL },', '};', '']
        self.out += lines
        return name

    def entry(self, info, doc, subs_name, hidden=False):
        """The lines of one struct sn_cmd_entry initializer."""
        k = info[2]
        name = text(k[0])
        prefix = cident(name)
        assert (text(k[3]), text(k[4]), text(k[5])) == (0, 0, 0), name
        assert not k[8][2], name + ' has key specs'
        d = {text(a): b for a, b in pairs(doc)} if doc else {}
        f = [('name', name, True), ('arity', str(text(k[1])), False),
             ('flags', words(k[2]), True),
             ('categories', words(k[6]), True)]
        if k[7][2]:
            f.append(('tips', words(k[7]), True))
        for key in ('summary', 'since', 'group', 'complexity'):
            if key in d:
                f.append((key, text(d[key]), True))
        if 'doc_flags' in d:
            f.append(('doc_flags', words(d['doc_flags']), True))
        for key in ('deprecated_since', 'replaced_by'):
            if key in d:
                f.append((key, text(d[key]), True))
        if 'history' in d:
            f.append(('history', self.history(prefix, d['history']), False))
        if 'arguments' in d:
            f.append(('args', self.args(prefix, d['arguments']), False))
        if subs_name:
            f.append(('subcommands', subs_name, False))
        if hidden:
            f.append(('hidden', 'true', False))
        known = {'summary', 'since', 'group', 'complexity', 'doc_flags',
                 'deprecated_since', 'replaced_by', 'history', 'arguments',
                 'subcommands'}
        assert set(d) <= known, set(d) - known
        return ['    {'] + emit_fields(f, 8) + ['    },']

    def table(self, name, entries):
        lines = self.decl('struct sn_cmd_entry', name)
        for e in entries:
            lines += e
        lines += ['    { .name = NULL },', '};', '']
        return lines


def hidden_node(h):
    """A hidden command as COMMAND INFO and DOCS would give it."""
    _, name, arity, flags, cats, summary, since, group = h
    def bulk(s):
        return ('$', str(len(s.encode())), s.encode())
    def status_set(s):
        return ('~', str(len(s.split())), [('+', w, None) for w in s.split()])
    info = ('*', '10', [bulk(name), (':', str(arity), None), status_set(flags),
                        (':', '0', None), (':', '0', None), (':', '0', None),
                        status_set(cats), ('~', '0', []), ('~', '0', []),
                        ('~', '0', [])])
    doc = ('%', '4', [bulk('summary'), bulk(summary), bulk('since'),
                      bulk(since), bulk('group'), bulk(group),
                      bulk('complexity'), bulk('O(1)')])
    return info, doc


def generate():
    infos = load('info_all.resp3')[2]
    docs = {text(k): v for k, v in pairs(load('docs_all.resp3'))}
    g = Gen()
    hidden_top = [hidden_node(h) for h in HIDDEN if h[0] is None]
    tops = [(i, docs[text(i[2][0])], False) for i in infos]
    tops += [(i, d, True) for i, d in hidden_top]
    tops.sort(key=lambda t: text(t[0][2][0]))
    subtables, entries = [], []
    for info, doc, hidden in tops:
        name = text(info[2][0])
        subs_name = None
        if info[2][9][0] == '*' and info[2][9][2]:
            subdocs = {text(k): v for k, v in
                       pairs({text(a): b for a, b in pairs(doc)}
                             ['subcommands'])}
            subs = [(s, subdocs[text(s[2][0])], False)
                    for s in info[2][9][2]]
            subs += [hidden_node(h) + (True,) for h in HIDDEN
                     if h[0] == name]
            subs.sort(key=lambda s: text(s[0][2][0]))
            subs_name = cident(name) + '_subcommands'
            subtables += g.table(subs_name, [g.entry(s[0], s[1], None, s[2])
                                          for s in subs])
        entries.append(g.entry(info, doc, subs_name, hidden))
    body = g.out + subtables + g.table('commands', entries)
    with open(CMDTABLE_DATA_C) as f:
        src = f.read()
    a = src.index(BEGIN)
    a = src.index('\n', src.index('*/', a)) + 1
    b = src.index(END)
    with open(CMDTABLE_DATA_C, 'w') as f:
        f.write(src[:a] + '\n' + '\n'.join(body) + '\n' + src[b:])


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == 'capture':
        capture(sys.argv[2] if len(sys.argv) > 2 else 'redis-sentinel')
    elif len(sys.argv) == 2 and sys.argv[1] == 'generate':
        generate()
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
