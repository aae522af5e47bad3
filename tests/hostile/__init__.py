"""Hostile names and small hostile files: what a careless or malicious upload can hold."""
