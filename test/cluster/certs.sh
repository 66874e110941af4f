# shellcheck shell=bash
# Certificates and kubeconfigs for the local cluster (openssl, one CA). Source after lib.sh.
# make_pki NODE_IP: creates what is missing in $PKI; re-issues the serving certs if NODE_IP changed.
# make_kubeconfigs: writes $KCFG/*.kubeconfig (embedded certs).

_sign() { # NAME SUBJECT EXTENSIONS
  local name=$1 subj=$2 ext=$3
  openssl req -new -nodes -newkey rsa:2048 -keyout "$PKI/$name.key" -out "$PKI/$name.csr" -subj "$subj" 2>/dev/null
  printf '%b' "$ext" > "$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
  chmod 600 "$PKI/$name.key"
}

_client() { # NAME SUBJECT
  [[ -s "$PKI/$1.crt" ]] && return 0
  _sign "$1" "$2" 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n'
}

make_pki() {
  local node_ip=$1
  mkdir -p "$PKI"; chmod 700 "$PKI"
  if [[ ! -s "$PKI/ca.crt" ]]; then
    openssl req -x509 -new -nodes -newkey rsa:2048 -sha256 -days 3650 -subj "/CN=slice-local-ca" \
      -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null
    chmod 600 "$PKI/ca.key"
  fi
  if [[ ! -s "$PKI/sa.key" ]]; then
    openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
    chmod 600 "$PKI/sa.key"
  fi
  # Serving certs carry the node IP: re-issue them when it changes.
  if [[ "$(cat "$PKI/node-ip" 2>/dev/null)" != "$node_ip" ]]; then
    rm -f "$PKI/apiserver.crt" "$PKI/kubelet-server.crt"
    echo "$node_ip" > "$PKI/node-ip"
  fi
  [[ -s "$PKI/apiserver.crt" ]] || _sign apiserver "/CN=kube-apiserver" \
    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,DNS:$NODE_NAME,IP:127.0.0.1,IP:$KUBE_SVC_IP,IP:$node_ip\n"
  [[ -s "$PKI/kubelet-server.crt" ]] || _sign kubelet-server "/O=system:nodes/CN=system:node:$NODE_NAME" \
    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:$NODE_NAME,DNS:localhost,IP:127.0.0.1,IP:$node_ip\n"
  _client apiserver-kubelet-client "/CN=kube-apiserver-kubelet-client"
  _client admin "/O=system:masters/CN=slice-admin"
  _client controller-manager "/CN=system:kube-controller-manager"
  _client scheduler "/CN=system:kube-scheduler"
  _client kube-proxy "/CN=system:kube-proxy"
  _client kube-router "/CN=kube-router"
  _client kubelet "/O=system:nodes/CN=system:node:$NODE_NAME"
  _client alice "/O=slice:developers/CN=alice"
  _client bob "/O=slice:developers/CN=bob"
  # The aggregation layer (metrics.k8s.io): the API server proxies to metrics-server with a client cert
  # of its own CA (front-proxy-ca, not the cluster CA: a cert of the cluster CA, e.g. bob's, must never
  # be trusted to name another user in X-Remote-User), and metrics-server serves with a cert for its
  # Service's name, signed by the cluster CA (the APIService's caBundle).
  if [[ ! -s "$PKI/front-proxy-ca.crt" ]]; then
    openssl req -x509 -new -nodes -newkey rsa:2048 -sha256 -days 3650 -subj "/CN=slice-front-proxy-ca" \
      -keyout "$PKI/front-proxy-ca.key" -out "$PKI/front-proxy-ca.crt" 2>/dev/null
    chmod 600 "$PKI/front-proxy-ca.key"
  fi
  if [[ ! -s "$PKI/front-proxy-client.crt" ]]; then
    openssl req -new -nodes -newkey rsa:2048 -keyout "$PKI/front-proxy-client.key" -out "$PKI/front-proxy-client.csr" \
      -subj "/CN=front-proxy-client" 2>/dev/null
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' > "$PKI/front-proxy-client.ext"
    openssl x509 -req -in "$PKI/front-proxy-client.csr" -CA "$PKI/front-proxy-ca.crt" -CAkey "$PKI/front-proxy-ca.key" \
      -CAcreateserial -days 3650 -sha256 -extfile "$PKI/front-proxy-client.ext" -out "$PKI/front-proxy-client.crt" 2>/dev/null
    rm -f "$PKI/front-proxy-client.csr" "$PKI/front-proxy-client.ext"
    chmod 600 "$PKI/front-proxy-client.key"
  fi
  [[ -s "$PKI/metrics-server-serving.crt" ]] || _sign metrics-server-serving "/CN=metrics-server" \
    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:metrics-server.kube-system.svc,DNS:metrics-server.kube-system.svc.cluster.local\n"
  _client metrics-server "/CN=system:metrics-server"
}

_kubeconfig() { # FILE USER CERTNAME [SERVER]
  local file=$1 user=$2 cert=$3 server=${4:-https://127.0.0.1:$APISERVER_PORT}
  write_if_changed "$file" 600 <<EOF
apiVersion: v1
kind: Config
clusters:
- name: slice-local
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 < "$PKI/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 < "$PKI/$cert.crt")
    client-key-data: $(base64 -w0 < "$PKI/$cert.key")
contexts:
- name: $user@slice-local
  context:
    cluster: slice-local
    user: $user
current-context: $user@slice-local
EOF
}

make_kubeconfigs() {
  mkdir -p "$KCFG"
  _kubeconfig "$KCFG/admin.kubeconfig" slice-admin admin
  _kubeconfig "$KCFG/alice.kubeconfig" alice alice
  _kubeconfig "$KCFG/bob.kubeconfig" bob bob
  _kubeconfig "$KCFG/controller-manager.kubeconfig" system:kube-controller-manager controller-manager
  _kubeconfig "$KCFG/scheduler.kubeconfig" system:kube-scheduler scheduler
  _kubeconfig "$KCFG/kube-proxy.kubeconfig" system:kube-proxy kube-proxy
  _kubeconfig "$KCFG/kube-router.kubeconfig" kube-router kube-router
  _kubeconfig "$KCFG/metrics-server.kubeconfig" system:metrics-server metrics-server
  _kubeconfig "$KCFG/kubelet.kubeconfig" "system:node:$NODE_NAME" kubelet
}
