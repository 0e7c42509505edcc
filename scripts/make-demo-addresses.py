#!/usr/bin/env python3
"""Writes the demo address register of Dnipro: data/addresses-dnipro-demo.csv.

The streets are real: the current names of the renamed streets (from the
shared register ../shared/data/geo/dnipro-street-renames.json, read here, not
copied) plus common central streets. The houses and coordinates are made up
(APPROXIMATE: spread over the city, not surveyed): see data/README-addresses.md.

  scripts/make-demo-addresses.py                         # ~20,000 rows, the committed file
  scripts/make-demo-addresses.py --count 100000 --out var/addresses-100k.csv   # for make bench

Deterministic for a given --seed and --count. Python 3 standard library only.
"""
import argparse
import csv
import json
import math
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RENAMES = os.path.join(ROOT, '..', 'shared', 'data', 'geo', 'dnipro-street-renames.json')

PREFIX = {
    'street': 'вул.', 'lane': 'пров.', 'avenue': 'просп.', 'square': 'пл.', 'boulevard': 'бульв.',
    'embankment': 'наб.', 'impasse': 'туп.', 'park': 'парк', 'area': 'ж/м',
}
SUFFIX = {'slope': 'узвіз', 'highway': 'шосе'}

# Current names of well-known streets in the centre and around (kind, name).
COMMON = [
    ('avenue', 'Дмитра Яворницького'), ('avenue', 'Олександра Поля'), ('avenue', 'Науки'),
    ('avenue', 'Слобожанський'), ('avenue', 'Богдана Хмельницького'), ('avenue', 'Героїв'),
    ('avenue', 'Миру'), ('avenue', 'Петра Калнишевського'), ('street', 'Робоча'),
    ('street', 'Набережна Перемоги'), ('street', 'Січеславська Набережна'), ('street', 'Титова'),
    ('street', 'Старокозацька'), ('street', 'Воскресенська'), ('street', 'Короленка'),
    ('street', 'Шевченка'), ('street', 'Європейська'), ('street', 'Паторжинського'),
    ('street', 'Глінки'), ('street', 'Гоголя'), ('street', 'Нагірна'), ('street', 'Бориса Кротова'),
    ('street', 'Писаржевського'), ('street', 'Привокзальна'), ('street', 'Січових Стрільців'),
    ('street', 'Князя Ярослава Мудрого'), ('street', 'Святослава Хороброго'),
    ('street', 'Михайла Грушевського'), ('street', 'Барикадна'), ('street', 'Херсонська'),
    ('street', 'Кедріна'), ('street', 'Запорізька'), ('street', 'Мономаха'), ('street', 'Полтавська'),
    ('street', 'Сімферопольська'), ('street', 'Новоселівська'), ('street', 'Космічна'),
    ('street', 'Калинова'), ('street', 'Каштанова'), ('street', 'Березинська'),
    ('street', 'Панікахи'), ('street', 'Янгеля'), ('street', 'Ближня'), ('highway', 'Донецьке'),
    ('highway', 'Запорізьке'), ('highway', 'Криворізьке'), ('square', 'Соборна'),
    ('square', 'Героїв Майдану'), ('boulevard', 'Слави'), ('boulevard', 'Кучеревського'),
    ('lane', 'Феодосійський'), ('street', 'Кожум\u2019яки'),
]

# The built-up area inside the server's city bounds (34.74,48.33,35.25,48.60).
LAT = (48.37, 48.57)
LON = (34.80, 35.18)


def load_streets(path):
    streets = []
    seen = set()
    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
    except OSError:
        print(f'make-demo-addresses: no register at {path}: common streets only', file=sys.stderr)
        data = {}
    for key in sorted(k for k in data if k != 'lastUpdate'):
        for o in data[key].get('objects', []):
            kind, name = o.get('type'), (o.get('newName') or '').strip()
            if kind not in PREFIX and kind not in SUFFIX or kind in ('park', 'area') or not name:
                continue
            if (kind, name.lower()) not in seen:
                seen.add((kind, name.lower()))
                streets.append((kind, name))
    for kind, name in COMMON:
        if (kind, name.lower()) not in seen:
            seen.add((kind, name.lower()))
            streets.append((kind, name))
    return streets


def label(kind, name):
    return f'{name} {SUFFIX[kind]}' if kind in SUFFIX else f'{PREFIX[kind]} {name}'


def houses(rng, n):
    """n distinct house numbers: mostly 1..n, some 12а, 5/7, 3 корп. 2."""
    out = []
    for i in range(1, n + 1):
        r = rng.random()
        if r < 0.06:
            out.append(f'{i}{"абв"[rng.randrange(3)]}')
        elif r < 0.09:
            out.append(f'{i}/{rng.randrange(1, 12)}')
        elif r < 0.11:
            out.append(f'{i} корп. {rng.randrange(1, 4)}')
        out.append(str(i))
    return out[:n]


def rows_for(rng, kind, name, n):
    lat0, lon0 = rng.uniform(*LAT), rng.uniform(*LON)
    angle = rng.uniform(0, math.pi)
    step = 0.00018  # ~15 m between neighbouring houses
    for k, house in enumerate(houses(rng, n)):
        side = 0.00006 if k % 2 else -0.00006
        lat = lat0 + math.sin(angle) * step * k + side
        lon = lon0 + math.cos(angle) * step * k * 1.5
        if rng.random() < 0.03 or not (LAT[0] <= lat <= LAT[1] and LON[0] <= lon <= LON[1]):
            yield (label(kind, name), house, '', '')
        else:
            yield (label(kind, name), house, f'{lat:.6f}', f'{lon:.6f}')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--count', type=int, default=20000, help='rows to write (default 20000)')
    ap.add_argument('--seed', type=int, default=1580)
    ap.add_argument('--register', default=RENAMES, help='the shared register of renamed streets')
    ap.add_argument('--out', default=os.path.join(ROOT, 'data', 'addresses-dnipro-demo.csv'))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    streets = load_streets(args.register)
    weights = [rng.uniform(0.5, 1.5) for _ in streets]
    total = sum(weights)
    sizes = [int(args.count * w / total) for w in weights]
    for i in range(args.count - sum(sizes)):
        sizes[i % len(sizes)] += 1
    written = 0
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w', encoding='utf-8', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['street', 'house', 'lat', 'lon'])
        for (kind, name), n in zip(streets, sizes):
            for row in rows_for(rng, kind, name, n):
                w.writerow(row)
                written += 1
    print(f'make-demo-addresses: {written} rows, {len(streets)} streets -> {args.out}', file=sys.stderr)


if __name__ == '__main__':
    main()
