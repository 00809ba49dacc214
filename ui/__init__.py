"""View-layer support for the Streamlit app: shared filter state, cached loaders, widgets.

Nothing here holds domain logic; it connects Streamlit (session state, query
parameters, caches) to the ``geo`` library.
"""
