# Two vCPUs call both_hit (mode=loop, -c 2) as fast as they can: 30 stops
# at `break both_hit`; each prints the reporting thread and both counters
# (hits[cpu] counts calls that got past the breakpoint).
break both_hit
set $i = 0
while $i < 30
  continue
  printf "stop=%d %d %lu %lu %d\n", $_thread, cpu, hits[0], hits[1], $pc == (long) &both_hit
  set $i = $i + 1
end
delete
detach
