package io.sluice.driver.dpdk.api;

/**
 * A PCI address as {@code lspci -D} and DPDK's {@code -a} option write it: {@code DDDD:BB:SS.F} (domain,
 * bus, slot (device), function; hexadecimal, function 0-7).
 */
public record PciAddress(int domain, int bus, int slot, int function) {

    public PciAddress {
        if (domain < 0 || domain > 0xffff || bus < 0 || bus > 0xff || slot < 0 || slot > 0x1f
                || function < 0 || function > 7) {
            throw new IllegalArgumentException("PCI address out of range: domain " + domain + ", bus " + bus
                    + ", slot " + slot + ", function " + function);
        }
    }

    /** Parses {@code 0000:00:08.0}, or {@code 00:08.0} with domain 0. */
    public static PciAddress parse(String text) {
        String s = text.trim();
        String[] colon = s.split(":", -1);
        if (colon.length < 2 || colon.length > 3) {
            throw new IllegalArgumentException("'" + text + "' is not a PCI address (DDDD:BB:SS.F)");
        }
        String domain = colon.length == 3 ? colon[0] : "0";
        String bus = colon[colon.length - 2];
        String[] dot = colon[colon.length - 1].split("\\.", -1);
        if (dot.length != 2) {
            throw new IllegalArgumentException("'" + text + "' is not a PCI address (DDDD:BB:SS.F)");
        }
        try {
            return new PciAddress(hex(domain, 4), hex(bus, 2), hex(dot[0], 2), hex(dot[1], 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a PCI address (DDDD:BB:SS.F): "
                    + e.getMessage(), e);
        }
    }

    private static int hex(String field, int maxDigits) {
        if (field.isEmpty() || field.length() > maxDigits) {
            throw new IllegalArgumentException("field '" + field + "' must have 1 to " + maxDigits + " hex digits");
        }
        return Integer.parseInt(field, 16);
    }

    /**
     * The interface name VPP's dpdk plugin gives the port (src/plugins/dpdk/device/init.c): the speed prefix,
     * then bus/slot/function in hexadecimal without leading zeros, or -domain/bus/slot/function when the
     * domain is not 0. {@code 0000:00:08.0} is {@code GigabitEthernet0/8/0}.
     */
    public String interfaceName(String speedPrefix) {
        if (domain != 0) {
            return speedPrefix + "-" + Integer.toHexString(domain) + "/" + Integer.toHexString(bus) + "/"
                    + Integer.toHexString(slot) + "/" + Integer.toHexString(function);
        }
        return speedPrefix + Integer.toHexString(bus) + "/" + Integer.toHexString(slot) + "/"
                + Integer.toHexString(function);
    }

    /** The canonical form, the device name DPDK's PCI bus gives the port. */
    @Override
    public String toString() {
        return String.format("%04x:%02x:%02x.%x", domain, bus, slot, function);
    }
}
