"""Resources declared once (one module per service) and the layer that lists, details and fans them out.
See `base` for how a type is declared and `layer` for how a scan reads them."""
