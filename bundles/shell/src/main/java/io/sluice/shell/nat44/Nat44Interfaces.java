package io.sluice.shell.nat44;

import io.sluice.nat44.api.InterfaceRole;
import io.sluice.nat44.api.Nat44;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** The interfaces NAT44 treats as inside or outside, as VPP's {@code show nat44 interfaces}. */
@Command(scope = "nat44", name = "interfaces", description = "Shows the inside and outside NAT44 interfaces")
@Service
public class Nat44Interfaces implements Action {

    @Reference
    Nat44 nat44;

    @Override
    public Object execute() {
        System.out.println("NAT44 interfaces:");
        for (InterfaceRole role : nat44.interfaces()) {
            String side = role.inside() && role.outside() ? "in out" : role.inside() ? "in" : "out";
            System.out.println(" " + role.name() + (role.outputFeature() ? " output-feature " : " ") + side
                    + (role.swIfIndex() < 0 ? " (not registered yet)" : ""));
        }
        return null;
    }
}
