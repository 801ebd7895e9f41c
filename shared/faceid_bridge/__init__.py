from faceid_bridge import lean_powertools

lean_powertools.install()  # before anything imports Powertools' event handler (lean_powertools.py says why)
