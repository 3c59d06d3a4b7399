#!/usr/bin/env bash
# Rebuilds the vendored front-end assets in hub/static from the npm registry.
# Not part of `make run` or `make test`: the built files are committed, so a
# fresh machine needs no Node.js. Run it by hand to upgrade GOV.UK Frontend.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund govuk-frontend@6.3.0 sass leaflet@1.9.4 >/dev/null
cp "$here/scripts/govuk.scss" hub.scss
npx sass --style=compressed --no-source-map --load-path=. hub.scss hub.css
cp hub.css "$here/hub/static/govuk/govuk-frontend.min.css"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$here/hub/static/govuk/"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$here/hub/static/leaflet/"
cp node_modules/leaflet/dist/images/* "$here/hub/static/leaflet/images/"
cp node_modules/leaflet/LICENSE "$here/hub/static/leaflet/LICENSE"
echo "assets rebuilt"
