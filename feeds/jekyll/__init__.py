"""What Jekyll itself would read from a site: its files, front matter, config and rules."""
