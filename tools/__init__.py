"""uvmgr.tools"""
