import { createRoot } from "react-dom/client";
import { Console } from "./Console";
import "./console.css";

const root = document.getElementById("root");
if (root) createRoot(root).render(<Console />);
