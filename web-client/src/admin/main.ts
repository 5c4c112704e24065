import { mount } from "svelte";
import Dashboard from "./Dashboard.svelte";
import "../lib/page.css";

mount(Dashboard, { target: document.getElementById("app")! });
