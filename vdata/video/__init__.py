"""Video IO: probe (frame table), decoder backends, sampling policies, scene detection, resizing."""
