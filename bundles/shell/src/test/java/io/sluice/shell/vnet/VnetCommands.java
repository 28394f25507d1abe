package io.sluice.shell.vnet;

import io.sluice.vnet.api.InterfaceTable;

/** The vnet commands with their references set as Karaf would, for the tests of other command packages. */
public final class VnetCommands {

    private VnetCommands() {
    }

    public static InterfaceList interfaceList(InterfaceTable interfaces, boolean noFormat) {
        InterfaceList command = new InterfaceList();
        command.interfaces = interfaces;
        command.noFormat = noFormat;
        return command;
    }
}
