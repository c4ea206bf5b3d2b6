"""Import and export formats. Readers yield records or rejections, never raise mid-file."""
