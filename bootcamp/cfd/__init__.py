"""CFD module: a D2Q9 lattice-Boltzmann solver that makes the flow data."""
