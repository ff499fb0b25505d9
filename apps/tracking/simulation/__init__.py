"""The demo's simulated bus (`manage.py tracking_simulate`): a plausible drive along a trip's stops, reported by a
tracker app to a running server as any tracker would, so that positions move, the live store and the history
fill, and everything that listens to them has something to show.

    geometry.py  legs between stops (gently curved: there is no road geometry), distances and bearings
    motion.py    a leg second by second: pulling away, cruising at 60-80 km/h with a swell, braking to a stand
    track.py     the whole trip's true position every second with its dwells, and the noisy fixes sampled from it
    pace.py      simulated time onto the fixes' stamps and the real clock, keeping the filters' limits honest
    plan.py      one drive of a trip: its track, where to pick it up, its pace, the reports and when they are due
    sender.py    the tracker app: each report by the OsmAnd protocol over HTTP
    drive.py     sending the reports when due, riding out a server that is briefly away
"""
