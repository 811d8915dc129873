"""Views: what peermap draws for people to read.

Each module draws what the analysis layer computed, for one audience
(:class:`peermap.disclosure.Audience`):

- :mod:`peermap.views.maps`: interactive offline maps and their static picture;
- :mod:`peermap.views.diagrams`: peer-group diagrams (who is linked to whom);
- :mod:`peermap.views.timelines`: when a context formed and whether it grows;
- :mod:`peermap.views.report`: the summary report for the partnership meeting.

How views are built, and how to add an output format or a map layer, is described in
``docs/architecture.md`` ("Views").
"""
