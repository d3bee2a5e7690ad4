"""Reports: self-contained HTML, Rally-style JSON, JUnit XML, and run comparison."""
