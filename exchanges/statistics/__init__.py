"""Statistics of the network: figures (aggregate queries), charts (SVG), exports and the annual report."""
