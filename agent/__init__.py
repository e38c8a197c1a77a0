"""uvmgr.agent"""
