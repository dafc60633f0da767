"""Speech input and output (on-device recognition and read-aloud); imports no Qt."""
