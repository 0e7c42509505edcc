#include "domain/nearby.h"
#include <math.h>
#include "util/banned.h"

#define EARTH_RADIUS_M 6371008.8
#define DEG (3.14159265358979323846 / 180.0)

double dom_distance_m(double lat1, double lon1, double lat2, double lon2) {
    double dlat = (lat2 - lat1) * DEG, dlon = (lon2 - lon1) * DEG;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * DEG) * cos(lat2 * DEG) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * EARTH_RADIUS_M * asin(fmin(1.0, sqrt(a)));
}

void dom_box_around(double lat, double lon, double radius_m, double *min_lat, double *max_lat,
                    double *min_lon, double *max_lon) {
    double dlat = radius_m / (EARTH_RADIUS_M * DEG);
    double c = cos(lat * DEG);
    /* Near the poles a degree of longitude shrinks to nothing: take all. */
    double dlon = c > 1e-6 ? dlat / c : 180.0;
    *min_lat = lat - dlat;
    *max_lat = lat + dlat;
    *min_lon = lon - dlon;
    *max_lon = lon + dlon;
}
