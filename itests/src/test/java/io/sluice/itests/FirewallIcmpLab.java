package io.sluice.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * ICMP errors are RELATED (issue 15), checked on the seed lab's booted box: {@link SeedLab} runs these on its
 * own box and namespaces (the lab's names and ports are fixed, so no test may build a second one), through the
 * three things a lab test needs from it.
 *
 * <ul>
 *   <li>Path MTU discovery (RFC 1191): from pod1, {@code tracepath} to internet-far crosses the box's 1500-byte GbE
 *   and then the internet namespace's 1280-byte hop, whose kernel answers with frag-needed to the node IP; the
 *   box's NAT translates it back to the pod with its quote and the pod's egress ACL admits it as related, so the
 *   pod learns 1280. The box's own time exceeded shows it as the first hop.</li>
 *   <li>An error the box builds after nat44-out2in translated the packet: a datagram from the internet to the
 *   node IP's port of a pod's session, with TTL 1, expires on its way to the pod. The time exceeded goes back to the
 *   sender quoting what it sent, the node IP and port: the sender's kernel finds its own connected socket by the
 *   quote and hands the error to it (IP_RECVERR), which it could not with the pod's address in the quote.</li>
 * </ul>
 */
final class FirewallIcmpLab {

    /** A command in a lab namespace. */
    @FunctionalInterface
    interface InNamespace {
        SeedLab.Result run(String namespace, String... command) throws Exception;
    }

    /** A console command's output. */
    @FunctionalInterface
    interface Shell {
        String run(String command) throws Exception;
    }

    /** An error counter of a node, as {@code errors:show} reports it. */
    @FunctionalInterface
    interface ErrorCount {
        long of(String node, String counter) throws Exception;
    }

    static final String FAR_ADDRESS = "198.51.100.2";
    static final int NARROW_MTU = 1280;

    /** The internet-side port the TTL-one probe is sent from: one the pod opened a flow to first. */
    private static final int PROBE_PORT = 40007;
    /**
     * Sends from 203.0.113.51 (the port its second argument names) with TTL 1 to the node IP's port, on a connected
     * UDP socket with IP_RECVERR, until the error queue holds the ICMP error about it (a deadline of 20 s, probes
     * 0.5 s apart), and prints the error's origin, type, code, offender and the quoted payload.
     */
    private static final String TTL_ONE_PROBE = String.join("\n",
            "import socket, struct, sys, time",
            "IP_RECVERR = 11",
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
            "s.bind(('203.0.113.51', int(sys.argv[2])))",
            "s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)",
            "s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 1)",
            "s.connect(('192.168.16.1', int(sys.argv[1])))",
            "deadline = time.time() + 20",
            "while time.time() < deadline:",
            "    try:",
            "        s.send(b'ttl-one')",
            "    except OSError:",
            "        pass",
            "    time.sleep(0.5)",
            "    try:",
            "        data, anc, flags, addr = s.recvmsg(100, 512, socket.MSG_ERRQUEUE | socket.MSG_DONTWAIT)",
            "    except BlockingIOError:",
            "        continue",
            "    for level, kind, ext in anc:",
            "        if level == socket.IPPROTO_IP and kind == IP_RECVERR:",
            "            errno, origin, icmp_type, code = struct.unpack_from('=IBBB', ext)",
            "            offender = socket.inet_ntoa(ext[20:24])",
            "            print('origin %d type %d code %d offender %s payload %s'",
            "                  % (origin, icmp_type, code, offender, data.decode(errors='replace')))",
            "            sys.exit(0)",
            "print('no ICMP error about the probe')",
            "sys.exit(1)");

    private final InNamespace inNamespace;
    private final Shell shell;
    private final ErrorCount errors;
    private final Path labRun;

    FirewallIcmpLab(InNamespace inNamespace, Shell shell, ErrorCount errors, Path labRun) {
        this.inNamespace = inNamespace;
        this.shell = shell;
        this.errors = errors;
        this.labRun = labRun;
    }

    /** tracepath from pod1 learns the internet-far hop's 1280 from its frag-needed; a DF ping then knows it too. */
    void tracepathLearnsTheSmallerMtuOfAHopBehindTheInternet() throws Exception {
        assumeTrue(inNamespace.run("pod1", "sh", "-c", "command -v tracepath").exit() == 0,
                "tracepath is not installed (./sluice test installs iputils-tracepath; run as root)");
        long relatedBefore = errors.of("acl-plugin-out-ip4-fa", "acl-related");
        long translatedBefore = errors.of("nat44-out2in", "out2in-packets");
        SeedLab.Result trace = inNamespace.run("pod1", "tracepath", "-n", "-m", "6", FAR_ADDRESS);
        String out = trace.all();
        System.out.println("pod1$ tracepath -n -m 6 " + FAR_ADDRESS + "\n" + out);
        assertEquals(0, trace.exit(), "tracepath -n " + FAR_ADDRESS + ":\n" + out);
        assertTrue(out.lines().anyMatch(line -> line.matches("\\s*1:\\s+192\\.168\\.16\\.1\\s.*")),
                "the box is the first hop:\n" + out);
        assertTrue(out.contains("pmtu " + NARROW_MTU), "the frag-needed of the 1280-byte hop reached the pod:\n" + out);
        assertTrue(out.contains("reached"), "and the far host was reached:\n" + out);
        assertTrue(errors.of("acl-plugin-out-ip4-fa", "acl-related") - relatedBefore >= 2,
                "the box's time exceeded and the internet's frag-needed were admitted as related");
        assertTrue(errors.of("nat44-out2in", "out2in-packets") > translatedBefore,
                "the internet's errors came back through the NAT");

        SeedLab.Result ping = inNamespace.run("pod1", "ping", "-c", "1", "-W", "2", "-M", "do", "-s", "1400",
                FAR_ADDRESS);
        System.out.println("pod1$ ping -M do -s 1400 " + FAR_ADDRESS + "\n" + ping.all());
        assertTrue(ping.all().contains("mtu=" + NARROW_MTU) || ping.all().contains("mtu = " + NARROW_MTU),
                "a DF send from the pod knows the path MTU now:\n" + ping.all());
    }

    /** The box's time exceeded about a packet out2in translated quotes the node IP and port, as sent. */
    void anErrorAboutATranslatedPacketQuotesWhatItsSenderSent() throws Exception {
        // The NAT filters by address and port (NAT44-ED, RFC 4787 REQ-8): the probe below must come from a remote
        // endpoint the pod's socket has sent to, so the pod opens that flow too (the same outside port, EIM).
        SeedLab.Result echo = inNamespace.run("pod1", "python3", "-c", "import socket; s = socket.socket(socket.AF_INET, "
                + "socket.SOCK_DGRAM); s.settimeout(3); s.sendto(b'icmp-lab', ('203.0.113.51', 7)); "
                + "print(s.recvfrom(100)[0].decode()); s.sendto(b'open', ('203.0.113.51', " + PROBE_PORT + "))");
        assertEquals(0, echo.exit(), echo.all());
        List<String> echoed = Files.readAllLines(labRun.resolve("servers.log")).stream()
                .filter(line -> line.startsWith("udp-echo 192.168.16.1:") && line.endsWith(" 8 bytes")).toList();
        assertTrue(!echoed.isEmpty(), "the server logged the pod's echo from the node IP");
        String natPort = echoed.getLast().split("[: ]")[2];
        long quotedBefore = errors.of("ip4-icmp-error", "nated-quoted-as-sent");

        SeedLab.Result probe = inNamespace.run("internet", "python3", "-c", TTL_ONE_PROBE, natPort,
                String.valueOf(PROBE_PORT));
        System.out.println("internet$ TTL 1 to 192.168.16.1:" + natPort + ": " + probe.all());
        assertEquals(0, probe.exit(), "TTL 1 to 192.168.16.1:" + natPort + ":\n" + probe.all() + "\n"
                + shell.run("errors:show --no-format"));
        assertTrue(probe.out().strip().equals("origin 2 type 11 code 0 offender 192.168.16.1 payload ttl-one"),
                "a time exceeded from the box, found by the sender's kernel through the quote: " + probe.out());
        assertTrue(errors.of("ip4-icmp-error", "nated-quoted-as-sent") > quotedBefore);
    }
}
