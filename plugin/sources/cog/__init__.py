"""The parts of the COG clip (``sources/clip.py``): HTTP range probe, GDAL session and secrets,
source addresses, output planning, block copy and the staging/COG writer."""
