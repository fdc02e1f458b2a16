import sys

from hello.greet import greeting, policy

print(greeting(sys.argv[1] if len(sys.argv) > 1 else "world"))
print(policy())
