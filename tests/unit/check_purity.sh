#!/bin/sh
# lib/ must not ask the world: no clock, no randomness, no sockets, no files,
# no libevent or hiredis. This greps for the calls and headers that would.
dir=${1:-lib}
bad=$(grep -nE '\b(time|gettimeofday|clock_gettime|clock|rand|random|srand|srandom|arc4random|getrandom|socket|connect|bind|listen|accept|open|openat|fopen|fdopen|read|write|close|unlink|rename|fsync|mkstemp|getaddrinfo|gethostbyname|exit|abort|system|popen|fork|execv|execve|execvp|sleep|usleep|nanosleep)[[:space:]]*\(' "$dir"/*.c "$dir"/*.h \
    | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/\*|\*)' \
    | grep -vE '\b(sn_[a-z0-9_]*|[a-z0-9_]+_(time|read|write|close|open|connect|bind|accept|listen))[[:space:]]*\(' )
hdr=$(grep -nE '#include[[:space:]]*<(event2/|hiredis|sys/socket|netdb|time\.h|sys/time|unistd|fcntl|stdlib\.h>.*rand)' "$dir"/*.c "$dir"/*.h)
if [ -n "$bad$hdr" ]; then
    echo "lib/ must not ask the world; found:"
    [ -n "$bad" ] && echo "$bad"
    [ -n "$hdr" ] && echo "$hdr"
    exit 1
fi
echo "lib/ is pure"
