"""Dataset card templates (Jinja2), installed as `vdata.cards`; `vdata.hub.card` renders them."""
