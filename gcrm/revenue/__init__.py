"""Revenue protection: line loss by feeder and transformer area, theft suspicion and
inspections (issue #18)."""
