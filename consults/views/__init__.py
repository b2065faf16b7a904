"""Consultation pages, by concern: ``pages`` (inbox, queue, my consultations, the consult
page), ``request`` (the request form), ``actions`` (what the consult page's buttons post) and
``report`` (directors). Consults are read through ``consults.selectors`` (another hospital's
consult is a 404); ``consults.services`` do the work and check the rules again."""
