#!/bin/sh
# Made by dynamic-slicing for upf-ueransim-ue1: forwarding and NAT for the UE block, then the UPF.
set -e
iptables -A FORWARD -j ACCEPT
iptables -t nat -A POSTROUTING -s 12.2.5.0/24 -o eth0 -j MASQUERADE
sed "s/__POD_IP__/${POD_IP}/g" /free5gc/config/upfcfg.yaml > /tmp/upfcfg.yaml
exec /free5gc/upf -c /tmp/upfcfg.yaml
