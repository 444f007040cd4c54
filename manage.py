#!/usr/bin/env python
"""Same as the `poles` console script, for habits and IDEs."""

from poles.cli import main

if __name__ == "__main__":
    main()
