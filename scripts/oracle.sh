#!/usr/bin/env bash
# Installs the differential oracles (idempotent) into target/oracle:
#   - Java Avro 1.12.1 (the authority; what Confluent runs), taken from PyPI's pyspark 4.3.0
#     source distribution, which ships avro-1.12.1.jar and Jackson; JavaOracle.java (compatibility)
#     and JavaValidity.java (which schema texts Schema.Parser accepts) compiled against it;
#   - PyPI avro 1.12.1 (avro.compatibility).
# Prints the classpath to use on stdout's last line.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/oracle
jars=$out/jars
mkdir -p "$jars"
if ! ls "$jars"/avro-1.12.1.jar >/dev/null 2>&1; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download --quiet --no-deps --no-binary :all: pyspark==4.3.0 -d "$tmp" >&2 ||
    python3 -m pip download --quiet --no-deps pyspark==4.3.0 -d "$tmp" >&2
  archive=$(ls "$tmp"/pyspark-4.3.0*)
  case "$archive" in
    *.tar.gz)
      tar xzf "$archive" -C "$tmp" --wildcards --no-anchored \
        'jars/avro-1.12.1.jar' 'jars/jackson-core-*.jar' 'jars/jackson-databind-*.jar' \
        'jars/jackson-annotations-*.jar' 'jars/slf4j-api-*.jar' 'jars/commons-compress-*.jar' >&2 ;;
    *.whl) (cd "$tmp" && python3 -m zipfile -e "$archive" unpacked >&2) ;;
  esac
  find "$tmp" -path '*jars/*' \( -name 'avro-1.12.1.jar' -o -name 'jackson-core-*.jar' -o -name 'jackson-databind-*.jar' \
    -o -name 'jackson-annotations-*.jar' -o -name 'slf4j-api-*.jar' -o -name 'commons-compress-*.jar' \) \
    -exec cp {} "$jars"/ \;
fi
cp=$(ls "$jars"/*.jar | tr '\n' ':')
for oracle in JavaOracle JavaValidity JavaWire; do
  if [ ! -f "$out/$oracle.class" ] || [ "compat-tests/oracle/$oracle.java" -nt "$out/$oracle.class" ]; then
    javac -d "$out" -cp "$cp" "compat-tests/oracle/$oracle.java" >&2
  fi
done
python3 -c 'import avro, sys; sys.exit(0 if avro.__version__ == "1.12.1" else 1)' 2>/dev/null ||
  python3 -m pip install --quiet avro==1.12.1 >&2
echo "$out:$cp"
