#!/usr/bin/env bash
# Installs the Debian packages the test suite uses, when it can (root + apt-get), and otherwise
# says exactly what to install. Tests that need a missing package skip with that reason.
#   dataset-fashion-mnist  Fashion-MNIST (60k/10k IDX) in /usr/share/datasets/fashion-mnist
#   python3-onnx           the official ONNX checker, run on the graphs maas generates
set -u
packages=(dataset-fashion-mnist python3-onnx)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup-test-env: installing ${missing[*]}"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/tmp/maas-apt.log 2>&1; then
    apt-get update -q >>/tmp/maas-apt.log 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>/tmp/maas-apt.log 2>&1 \
      || echo "setup-test-env: could not install ${missing[*]} (see /tmp/maas-apt.log); the tests that need them will skip"
  fi
else
  echo "setup-test-env: not root or no apt-get; install these for the full test suite: apt-get install ${missing[*]}"
fi
exit 0
