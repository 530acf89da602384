"""Cases (办件) registered at the windows or imported from the approval system."""
