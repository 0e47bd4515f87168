/* Printable QR card: the print button. */
"use strict";
document.getElementById("print").addEventListener("click", () => window.print());
