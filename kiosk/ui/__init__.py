"""The Qt screens of the kiosk. The only package that imports Qt."""
