"""uvmgr.tui"""
