"""Hosts for network tests: network namespaces joined by veth pairs to a
bridge that lives in a namespace of its own, so nothing touches the machine's
own network. Standard library only; needs root and iproute2."""
import os
import subprocess


def sh(*args, check=True):
    return subprocess.run(list(args), check=check, capture_output=True, text=True)


class Network:
    """`hosts` maps a short name to its address in 10.77.<n>.0/24."""

    def __init__(self, names):
        tag = "%d" % (os.getpid() % 100000)
        self.bridge_ns = "cairn-br-" + tag
        self.subnet = "10.77.%d" % (os.getpid() % 250)
        self.namespaces = {}
        self.addresses = {}
        sh("ip", "netns", "add", self.bridge_ns)
        self.run_in(self.bridge_ns, "ip", "link", "add", "br0", "type", "bridge")
        self.run_in(self.bridge_ns, "ip", "link", "set", "br0", "up")
        for i, name in enumerate(names, start=1):
            ns = "cairn-%s-%s" % (name, tag)
            veth = "v%s%d" % (tag[-5:], i)
            sh("ip", "netns", "add", ns)
            sh("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns)
            sh("ip", "link", "set", veth, "netns", self.bridge_ns)
            self.run_in(self.bridge_ns, "ip", "link", "set", veth, "master", "br0")
            self.run_in(self.bridge_ns, "ip", "link", "set", veth, "up")
            address = "%s.%d" % (self.subnet, i)
            self.run_in(ns, "ip", "addr", "add", address + "/24", "dev", "eth0")
            self.run_in(ns, "ip", "link", "set", "eth0", "up")
            self.run_in(ns, "ip", "link", "set", "lo", "up")
            self.namespaces[name] = ns
            self.addresses[name] = address

    def run_in(self, ns, *args, check=True):
        return sh("ip", "netns", "exec", ns, *args, check=check)

    def prefix(self, name):
        """The command prefix that runs a program on host `name`."""
        return ["ip", "netns", "exec", self.namespaces[name]]

    def cut(self, name):
        """Drops all traffic of host `name` but its own loopback."""
        ns = self.namespaces[name]
        for rule in (["-A", "INPUT", "-i", "lo", "-j", "ACCEPT"],
                     ["-A", "OUTPUT", "-o", "lo", "-j", "ACCEPT"],
                     ["-A", "INPUT", "-j", "DROP"],
                     ["-A", "OUTPUT", "-j", "DROP"]):
            self.run_in(ns, "iptables", *rule)

    def restore(self, name):
        self.run_in(self.namespaces[name], "iptables", "-F")

    def curl(self, name, url):
        r = self.run_in(self.namespaces[name], "curl", "-sf", "--max-time", "5", url,
                        check=False)
        return r.stdout if r.returncode == 0 else None

    def close(self):
        for ns in list(self.namespaces.values()) + [self.bridge_ns]:
            sh("ip", "netns", "del", ns, check=False)
