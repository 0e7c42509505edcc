/* "The same problem nearby": distances on the Earth and the box to search. */
#ifndef KONTAKT_DOMAIN_NEARBY_H
#define KONTAKT_DOMAIN_NEARBY_H

#define DOM_DUPLICATE_DAYS_DEFAULT 7
#define DOM_DUPLICATES_MAX 20

/* Great-circle distance in metres (haversine, mean Earth radius). */
double dom_distance_m(double lat1, double lon1, double lat2, double lon2);

/* A lat/lon box that contains every point within radius_m of (lat, lon). */
void dom_box_around(double lat, double lon, double radius_m, double *min_lat, double *max_lat,
                    double *min_lon, double *max_lon);
#endif
