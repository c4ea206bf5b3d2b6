"""Video object tracking: propagation of a person's corrections along the tracks, the frames a tracker
is unsure of, and identity-aware agreement (IDF1)."""
