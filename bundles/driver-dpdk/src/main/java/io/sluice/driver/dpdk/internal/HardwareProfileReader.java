package io.sluice.driver.dpdk.internal;

import io.sluice.driver.dpdk.api.HardwareProfile;
import io.sluice.driver.dpdk.api.HardwareProfileException;
import io.sluice.driver.dpdk.api.PciAddress;
import io.sluice.driver.dpdk.api.PortDriver;
import io.sluice.driver.dpdk.api.PortProfile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads a {@link HardwareProfile} from {@code hardware-profiles/<name>.profile}, a plain {@code key = value} file
 * (format in hardware-profiles/README.md). Every value is checked; all problems are reported at once, each naming
 * its key (or line) and the reason, and a profile with any problem is refused whole.
 */
final class HardwareProfileReader {

    private static final Pattern PORT_ID = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    private static final Pattern CORE_LIST = Pattern.compile("\\d+(-\\d+)?(,\\d+(-\\d+)?)*");
    private static final Pattern INTERFACE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9/._-]{0,62}");
    private static final Pattern NETDEV = Pattern.compile("[A-Za-z0-9._-]{1,15}");
    private static final Set<String> GLOBAL_KEYS = Set.of("description", "cores.workers", "buffers.per-worker",
            "dpdk.lcores", "dpdk.mbufs", "dpdk.eal-args");
    private static final Set<String> PORT_KEYS = Set.of("driver", "name", "pci", "vdev", "netdev", "speed",
            "rx-queues", "tx-queues", "rx-descriptors", "tx-descriptors");
    private static final Map<String, String> SPEED_PREFIXES = Map.of(
            "1G", "GigabitEthernet", "2.5G", "TwoDotFiveGigabitEthernet", "5G", "FiveGigabitEthernet",
            "10G", "TenGigabitEthernet", "25G", "TwentyFiveGigabitEthernet", "40G", "FortyGigabitEthernet",
            "100G", "HundredGigabitEthernet");

    private HardwareProfileReader() {
    }

    /** Reads {@code <directory>/<name>.profile}. */
    static HardwareProfile load(Path directory, String name) {
        if (name == null || !PORT_ID.matcher(name).matches()) {
            throw new HardwareProfileException(String.valueOf(name),
                    List.of("a profile name is lower-case letters, digits, '-' and '_'"));
        }
        Path file = directory.resolve(name + HardwareProfile.FILE_SUFFIX);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new HardwareProfileException(name, List.of("cannot read " + file + ": " + e));
        }
        return parse(name, text);
    }

    /** Parses and validates the text of a profile. */
    static HardwareProfile parse(String name, String text) {
        List<String> problems = new ArrayList<>();
        Map<String, String> values = readLines(text, problems);
        Map<String, Map<String, String>> portKeys = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : values.entrySet()) {
            String key = entry.getKey();
            if (key.startsWith("port.")) {
                int dot = key.lastIndexOf('.');
                String id = dot > 5 ? key.substring(5, dot) : "";
                String field = key.substring(dot + 1);
                if (!PORT_ID.matcher(id).matches()) {
                    problems.add(key + ": a port id is lower-case letters, digits, '-' and '_'");
                } else if (!PORT_KEYS.contains(field)) {
                    problems.add(key + ": unknown port key (known: " + new TreeSet<>(PORT_KEYS) + ")");
                } else {
                    portKeys.computeIfAbsent(id, i -> new LinkedHashMap<>()).put(field, entry.getValue());
                }
            } else if (!GLOBAL_KEYS.contains(key)) {
                problems.add(key + ": unknown key (known: " + new TreeSet<>(GLOBAL_KEYS) + " and port.<id>.*)");
            }
        }

        String description = values.getOrDefault("description", "");
        int[] workerCores = cores(values.getOrDefault("cores.workers", "0"), "cores.workers", problems);
        int buffers = number(values, "buffers.per-worker", HardwareProfile.DEFAULT_BUFFERS_PER_WORKER, 256, 1 << 22, problems);
        int mbufs = number(values, "dpdk.mbufs", HardwareProfile.DEFAULT_MBUFS, 1023, 1 << 22, problems);
        String lcores = values.get("dpdk.lcores");
        if (lcores != null && !CORE_LIST.matcher(lcores).matches()) {
            problems.add("dpdk.lcores: '" + lcores + "' is not a core list (1 or 1,2 or 1-3)");
        }
        String extra = values.getOrDefault("dpdk.eal-args", "").trim();
        List<String> extraArgs = extra.isEmpty() ? List.of() : Arrays.asList(extra.split("\\s+"));
        for (String arg : extraArgs) {
            if (arg.startsWith("-a") || arg.startsWith("--vdev") || arg.equals("-l") || arg.startsWith("--allow")) {
                problems.add("dpdk.eal-args: '" + arg + "' is derived from the ports and dpdk.lcores; "
                        + "do not give it here");
            }
        }

        List<PortProfile> ports = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> port : portKeys.entrySet()) {
            PortProfile parsed = port(port.getKey(), port.getValue(), problems);
            if (parsed != null) {
                ports.add(parsed);
            }
        }
        checkUnique(ports, problems);
        boolean usesDpdk = portKeys.values().stream().anyMatch(keys -> "dpdk".equals(keys.get("driver")));
        if (usesDpdk && lcores == null) {
            problems.add("dpdk.lcores: required when a port uses the dpdk driver");
        }
        if (!problems.isEmpty()) {
            throw new HardwareProfileException(name, problems);
        }
        return new HardwareProfile(name, description, workerCores, buffers, lcores, mbufs, extraArgs, ports);
    }

    private static Map<String, String> readLines(String text, List<String> problems) {
        Map<String, String> values = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int equals = line.indexOf('=');
            if (equals <= 0) {
                problems.add("line " + (i + 1) + ": expected key = value, got '" + line + "'");
                continue;
            }
            String key = line.substring(0, equals).strip();
            String value = line.substring(equals + 1).strip();
            if (values.putIfAbsent(key, value) != null) {
                problems.add("line " + (i + 1) + ": " + key + " is given twice");
            }
        }
        return values;
    }

    private static PortProfile port(String id, Map<String, String> keys, List<String> problems) {
        String prefix = "port." + id + ".";
        int before = problems.size();
        String driverKey = keys.get("driver");
        PortDriver driver = null;
        if (driverKey == null) {
            problems.add(prefix + "driver: required (dpdk, af_packet, af_xdp, tap)");
        } else {
            try {
                driver = PortDriver.fromKey(driverKey);
            } catch (IllegalArgumentException e) {
                problems.add(prefix + "driver: " + e.getMessage());
            }
        }
        PciAddress pci = null;
        if (keys.containsKey("pci")) {
            try {
                pci = PciAddress.parse(keys.get("pci"));
            } catch (IllegalArgumentException e) {
                problems.add(prefix + "pci: " + e.getMessage());
            }
        }
        String vdev = keys.get("vdev");
        String netdev = keys.get("netdev");
        String name = keys.get("name");
        String speed = keys.getOrDefault("speed", "1G");
        String speedPrefix = SPEED_PREFIXES.get(speed);
        if (speedPrefix == null) {
            problems.add(prefix + "speed: '" + speed + "' is not one of " + new TreeSet<>(SPEED_PREFIXES.keySet()));
        }
        if (name != null && !INTERFACE_NAME.matcher(name).matches()) {
            problems.add(prefix + "name: '" + name + "' is not an interface name (a letter, then letters, digits, "
                    + "'/', '.', '_', '-'; at most 63)");
        }
        if (netdev != null && !NETDEV.matcher(netdev).matches()) {
            problems.add(prefix + "netdev: '" + netdev + "' is not a Linux interface name (IFNAMSIZ: 15 characters)");
        }
        int rxQueues = number(keys, "rx-queues", 1, 1, HardwareProfile.MAX_QUEUES, problems, prefix);
        int txQueues = number(keys, "tx-queues", 1, 1, HardwareProfile.MAX_QUEUES, problems, prefix);
        int rxDescriptors = descriptors(keys, "rx-descriptors", problems, prefix);
        int txDescriptors = descriptors(keys, "tx-descriptors", problems, prefix);
        if (driver == PortDriver.DPDK) {
            if (keys.containsKey("pci") == (vdev != null)) {
                problems.add(prefix + "pci, vdev: a dpdk port needs exactly one of them");
            }
            if (vdev != null && (vdev.isBlank() || vdev.contains(" "))) {
                problems.add(prefix + "vdev: '" + vdev + "' must be one word (net_af_packet0,iface=veth0)");
            }
            if (netdev != null) {
                problems.add(prefix + "netdev: a dpdk port is found by pci or vdev, not by netdev");
            }
            if (vdev != null && name == null) {
                problems.add(prefix + "name: required for a vdev port (it has no PCI address to name it by)");
            }
            if (name == null && pci != null && speedPrefix != null) {
                name = pci.interfaceName(speedPrefix);
            }
        } else if (driver == PortDriver.AF_PACKET || driver == PortDriver.AF_XDP) {
            if (netdev == null) {
                problems.add(prefix + "netdev: required for an " + driver.key() + " port");
            } else if (name == null) {
                name = (driver == PortDriver.AF_PACKET ? "host-" : "xdp-") + netdev;
            }
            if (vdev != null) {
                problems.add(prefix + "vdev: only a dpdk port has one");
            }
        } else if (driver == PortDriver.TAP) {
            if (name == null) {
                problems.add(prefix + "name: required for a tap port (tap2)");
            }
            if (vdev != null || pci != null || keys.containsKey("pci")) {
                problems.add(prefix + "pci, vdev: a tap port has neither");
            }
        }
        if (problems.size() != before || driver == null) {
            return null;
        }
        return new PortProfile(id, name, driver, pci, vdev, netdev, rxQueues, txQueues, rxDescriptors,
                txDescriptors);
    }

    private static void checkUnique(List<PortProfile> ports, List<String> problems) {
        Set<String> names = new TreeSet<>();
        Set<String> devices = new TreeSet<>();
        Set<String> netdevs = new TreeSet<>();
        for (PortProfile port : ports) {
            String prefix = "port." + port.id() + ".";
            if (!names.add(port.name())) {
                problems.add(prefix + "name: '" + port.name() + "' is used by another port");
            }
            String device = port.driver() == PortDriver.DPDK ? port.dpdkDeviceName() : null;
            if (device != null && !devices.add(device)) {
                problems.add(prefix + (port.pci() != null ? "pci" : "vdev") + ": device " + device
                        + " is used by another port");
            }
            if (port.netdev() != null && !netdevs.add(port.netdev())) {
                problems.add(prefix + "netdev: '" + port.netdev() + "' is used by another port");
            }
        }
    }

    private static int[] cores(String text, String key, List<String> problems) {
        if (!CORE_LIST.matcher(text).matches()) {
            problems.add(key + ": '" + text + "' is not a core list (1 or 1,2 or 1-3)");
            return new int[] {0};
        }
        TreeSet<Integer> cores = new TreeSet<>();
        for (String range : text.split(",")) {
            String[] ends = range.split("-");
            int first = Integer.parseInt(ends[0]);
            int last = ends.length == 2 ? Integer.parseInt(ends[1]) : first;
            if (last < first || last > 1023) {
                problems.add(key + ": range '" + range + "' is empty or beyond core 1023");
                continue;
            }
            for (int core = first; core <= last; core++) {
                if (!cores.add(core)) {
                    problems.add(key + ": core " + core + " is listed twice");
                }
            }
        }
        return cores.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int number(Map<String, String> values, String key, int fallback, int min, int max,
                              List<String> problems) {
        return number(values, key, fallback, min, max, problems, "");
    }

    private static int number(Map<String, String> values, String key, int fallback, int min, int max,
                              List<String> problems, String prefix) {
        String text = values.get(key);
        if (text == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text);
            if (value < min || value > max) {
                problems.add(prefix + key + ": " + value + " is outside " + min + ".." + max);
            }
            return value;
        } catch (NumberFormatException e) {
            problems.add(prefix + key + ": '" + text + "' is not a whole number");
            return fallback;
        }
    }

    private static int descriptors(Map<String, String> keys, String key, List<String> problems, String prefix) {
        int value = number(keys, key, HardwareProfile.DEFAULT_DESCRIPTORS, 64, 4096, problems, prefix);
        if (Integer.bitCount(value) != 1) {
            problems.add(prefix + key + ": " + value + " is not a power of two");
        }
        return value;
    }
}
