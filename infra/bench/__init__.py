"""`make bench`: what faceid-bridge costs in time, memory, AWS calls and money. See __main__."""
