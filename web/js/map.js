// Leaflet (served from /vendor/leaflet/, loaded by a classic <script> before
// the page module). Everything here degrades: without Leaflet, or without
// tiles (no internet), the pages still work with typed coordinates.

export const leaflet = () => (typeof window !== 'undefined' && window.L ? window.L : null);

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// bounds from /api/v1/config: [minLon, minLat, maxLon, maxLat].
export function cityBounds(config) {
  const L = leaflet();
  const b = config && config.city && config.city.bounds;
  if (!L || !Array.isArray(b) || b.length !== 4) return null;
  return L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
}

// Creates a map in `container`. opts: {center:[lat,lon], zoom, onTileError()}.
export function makeMap(container, config, opts = {}) {
  const L = leaflet();
  if (!L || !container) return null;
  const city = (config && config.city) || {};
  const bounds = cityBounds(config);
  const center = opts.center || city.center || (bounds ? bounds.getCenter() : [48.4647, 35.0462]);
  const map = L.map(container, {
    center,
    zoom: opts.zoom || city.zoom || 12,
    maxBounds: bounds ? bounds.pad(0.5) : undefined,
    minZoom: 9,
  });
  const m = config && config.map;
  if (m && m.tile_url) {
    const layer = L.tileLayer(m.tile_url, {
      maxZoom: 19,
      attribution: m.attribution ? esc(m.attribution) : '',
    });
    let reported = false;
    layer.on('tileerror', () => {
      if (!reported && opts.onTileError) { reported = true; opts.onTileError(); }
    });
    layer.addTo(map);
  }
  // The city limits as a vector: something to aim at even without tiles.
  if (bounds && opts.showBounds !== false) {
    L.rectangle(bounds, { fill: false, weight: 2, dashArray: '6 6', color: '#0b4a8b', interactive: false }).addTo(map);
  }
  return map;
}
