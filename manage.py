#!/usr/bin/env python
from minhu.cli import main

if __name__ == "__main__":
    main()
