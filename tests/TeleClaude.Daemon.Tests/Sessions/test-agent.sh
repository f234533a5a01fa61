#!/bin/sh
# A stand-in agent for the tests: says where it runs, then answers every line it reads.
echo "test agent ready in $(pwd)"
while IFS= read -r line; do
  printf 'agent got: %s\n' "$line"
done
