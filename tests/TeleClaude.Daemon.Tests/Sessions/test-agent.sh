#!/bin/sh
# A stand-in agent for the tests: says where it runs, then answers every line it reads.
# "ask" makes it ask a y/n question first, as a line-based agent would.
echo "test agent ready in $(pwd)"
while IFS= read -r line; do
  if [ "$line" = "ask" ]; then
    printf 'Overwrite notes.txt? [y/n] '
    IFS= read -r answer
    printf 'answered: %s\n' "$answer"
    continue
  fi
  printf 'agent got: %s\n' "$line"
done
