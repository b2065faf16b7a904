"""Pure-Python processing of ultrasound DICOM cine loops.

Paths and bytes in; numpy arrays, frozen dataclasses and files out. This package never imports
Django: the web platform calls it, not the other way round.
"""
