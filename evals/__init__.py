"""uvmgr.evals"""
