"""The Streamlit labeling UI: ``activelabel ui DIR`` serves ``app.py``; one module per page and per editor."""
