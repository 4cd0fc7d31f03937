"""The app's daily-use logic as plain functions: the document library, lasting conversations, uploads in progress.

The Gradio handlers in :mod:`qa.app` are thin wrappers over these; the CLI uses them too.
"""
