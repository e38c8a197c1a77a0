"""uvmgr.prompts"""
